/* relais_native: SRTP/SRTCP transforms over OpenSSL EVP (the OpenSSL linked into the
 * node binary) and batched UDP sends. Context-aware, so media worker threads can load it. */
#include <openssl/crypto.h>

#include "rx_timestamp.h"
#include "send_batch.h"
#include "srtp_napi.h"

static int export_function(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn) == napi_ok &&
         napi_set_named_property(env, exports, name, fn) == napi_ok;
}

NAPI_MODULE_INIT() {
  napi_value value;
  if (!export_function(env, exports, "createContext", srtp_create_context) || !export_function(env, exports, "protectRtp", srtp_protect_rtp) ||
      !export_function(env, exports, "unprotectRtp", srtp_unprotect_rtp) || !export_function(env, exports, "protectRtcp", srtp_protect_rtcp) ||
      !export_function(env, exports, "unprotectRtcp", srtp_unprotect_rtcp)) {
    return NULL;
  }
#ifdef __linux__
  if (!export_function(env, exports, "sendBatch", send_batch) || !export_function(env, exports, "encodeSockaddr", encode_sockaddr) ||
      !export_function(env, exports, "socketPort", socket_port) || !export_function(env, exports, "rxAgeUs", rx_age_us)) {
    return NULL;
  }
#endif
  napi_create_uint32(env, SOCKADDR_SLOT, &value);
  napi_set_named_property(env, exports, "sockaddrSlotSize", value);
  napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, exports, "openssl", value);
  return exports;
}
