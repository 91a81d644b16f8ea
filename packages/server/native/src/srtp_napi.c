/* JS bindings of the SRTP contexts. A context is an External owning one srtp_ctx;
 * every packet call validates the region against the Buffer and works in place. */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "napi_args.h"
#include "srtp.h"
#include "srtp_napi.h"

static const napi_type_tag context_tag = {0x72656c6169735f73ull, 0x7274705f63747821ull};

static void srtp_ctx_free(srtp_ctx *c) {
  EVP_CIPHER_CTX_free(c->rtp_enc);
  EVP_CIPHER_CTX_free(c->rtp_dec);
  EVP_CIPHER_CTX_free(c->rtcp_enc);
  EVP_CIPHER_CTX_free(c->rtcp_dec);
  OPENSSL_cleanse(c, sizeof *c); /* salts and HMAC pad states are key material */
  free(c);
}

static void finalize_context(napi_env env, void *data, void *hint) { srtp_ctx_free((srtp_ctx *)data); }

static int key_arg(napi_env env, napi_value v, const uint8_t **out, size_t expected, const char *name) {
  uint8_t *data;
  size_t length;
  if (!arg_bytes(env, v, &data, &length, name)) return 0;
  if (length != expected) {
    napi_throw_range_error(env, NULL, "session key, salt or auth key has the wrong length for the profile");
    return 0;
  }
  *out = data;
  return 1;
}

/* createContext(profile, rtpKey, rtpSalt, rtpAuthKey, rtcpKey, rtcpSalt, rtcpAuthKey): External */
napi_value srtp_create_context(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7], result;
  uint32_t profile;
  srtp_keys k;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 7) {
    napi_throw_type_error(env, NULL, "createContext expects 7 arguments");
    return NULL;
  }
  if (!arg_u32(env, argv[0], &profile, "profile")) return NULL;
  if (profile != SRTP_PROFILE_AES_CM_128_HMAC_SHA1_80 && profile != SRTP_PROFILE_AEAD_AES_128_GCM) {
    napi_throw_range_error(env, NULL, "unsupported SRTP profile");
    return NULL;
  }
  int cm = profile == SRTP_PROFILE_AES_CM_128_HMAC_SHA1_80;
  size_t salt_length = cm ? SRTP_CM_SALT_LENGTH : SRTP_GCM_SALT_LENGTH;
  k.auth_key_length = cm ? HMAC_SHA1_LENGTH : 0; /* RFC 3711 §8.2 n_a = 160; AEAD has none (RFC 7714 §12) */
  if (!key_arg(env, argv[1], &k.rtp_key, SRTP_KEY_LENGTH, "rtpKey") || !key_arg(env, argv[2], &k.rtp_salt, salt_length, "rtpSalt") ||
      !key_arg(env, argv[3], &k.rtp_auth_key, k.auth_key_length, "rtpAuthKey") ||
      !key_arg(env, argv[4], &k.rtcp_key, SRTP_KEY_LENGTH, "rtcpKey") || !key_arg(env, argv[5], &k.rtcp_salt, salt_length, "rtcpSalt") ||
      !key_arg(env, argv[6], &k.rtcp_auth_key, k.auth_key_length, "rtcpAuthKey")) {
    return NULL;
  }
  srtp_ctx *c = calloc(1, sizeof *c);
  if (c == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  if ((cm ? srtp_cm_init(c, &k) : srtp_gcm_init(c, &k)) != 0) {
    srtp_ctx_free(c);
    napi_throw_error(env, NULL, "OpenSSL refused the SRTP cipher context");
    return NULL;
  }
  if (napi_create_external(env, c, finalize_context, NULL, &result) != napi_ok) {
    srtp_ctx_free(c);
    return NULL;
  }
  napi_type_tag_object(env, result, &context_tag);
  return result;
}

static srtp_ctx *context_arg(napi_env env, napi_value v) {
  bool tagged = false;
  void *data = NULL;
  if (napi_check_object_type_tag(env, v, &context_tag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, v, &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "not an SRTP context");
    return NULL;
  }
  return (srtp_ctx *)data;
}

static napi_value crypto_result(napi_env env, long r, int may_fail_auth) {
  if (r < 0 && !may_fail_auth) {
    napi_throw_error(env, NULL, "OpenSSL failed to protect the packet");
    return NULL;
  }
  return make_i64(env, r);
}

/* Shared by protectRtp/unprotectRtp: (ctx, buf, offset, length, headerLength, ssrc, roc, seq). */
static napi_value rtp_call(napi_env env, napi_callback_info info, int protect) {
  size_t argc = 8;
  napi_value argv[8];
  uint8_t *buf;
  size_t total;
  uint32_t offset, length, header_length, ssrc, roc, seq;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "expected (ctx, buf, offset, length, headerLength, ssrc, roc, seq)");
    return NULL;
  }
  srtp_ctx *c = context_arg(env, argv[0]);
  if (c == NULL || !arg_bytes(env, argv[1], &buf, &total, "buf") || !arg_u32(env, argv[2], &offset, "offset") ||
      !arg_u32(env, argv[3], &length, "length") || !arg_u32(env, argv[4], &header_length, "headerLength") ||
      !arg_u32(env, argv[5], &ssrc, "ssrc") || !arg_u32(env, argv[6], &roc, "roc") || !arg_u32(env, argv[7], &seq, "seq")) {
    return NULL;
  }
  int cm = c->profile == SRTP_PROFILE_AES_CM_128_HMAC_SHA1_80;
  size_t tag = cm ? SRTP_CM_TAG_LENGTH : SRTP_GCM_TAG_LENGTH;
  if (seq > 0xffff || header_length > length || (!protect && length - header_length < tag)) {
    napi_throw_range_error(env, NULL, "headerLength, length or seq out of range");
    return NULL;
  }
  if (!check_region(env, total, offset, length, protect ? tag : 0)) return NULL;
  uint8_t *p = buf + offset;
  long r;
  if (protect) {
    r = cm ? srtp_cm_protect_rtp(c, p, length, header_length, ssrc, roc, (uint16_t)seq)
           : srtp_gcm_protect_rtp(c, p, length, header_length, ssrc, roc, (uint16_t)seq);
  } else {
    r = cm ? srtp_cm_unprotect_rtp(c, p, length, header_length, ssrc, roc, (uint16_t)seq)
           : srtp_gcm_unprotect_rtp(c, p, length, header_length, ssrc, roc, (uint16_t)seq);
  }
  return crypto_result(env, r, !protect);
}

napi_value srtp_protect_rtp(napi_env env, napi_callback_info info) { return rtp_call(env, info, 1); }
napi_value srtp_unprotect_rtp(napi_env env, napi_callback_info info) { return rtp_call(env, info, 0); }

/* Shared by protectRtcp(ctx, buf, offset, length, ssrc, index) and unprotectRtcp(..., encrypted). */
static napi_value rtcp_call(napi_env env, napi_callback_info info, int protect) {
  size_t argc = 7;
  napi_value argv[7];
  uint8_t *buf;
  size_t total;
  uint32_t offset, length, ssrc, index;
  int encrypted = 1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < (protect ? 6u : 7u)) {
    napi_throw_type_error(env, NULL, "expected (ctx, buf, offset, length, ssrc, index[, encrypted])");
    return NULL;
  }
  srtp_ctx *c = context_arg(env, argv[0]);
  if (c == NULL || !arg_bytes(env, argv[1], &buf, &total, "buf") || !arg_u32(env, argv[2], &offset, "offset") ||
      !arg_u32(env, argv[3], &length, "length") || !arg_u32(env, argv[4], &ssrc, "ssrc") || !arg_u32(env, argv[5], &index, "index") ||
      (!protect && !arg_bool(env, argv[6], &encrypted, "encrypted"))) {
    return NULL;
  }
  int cm = c->profile == SRTP_PROFILE_AES_CM_128_HMAC_SHA1_80;
  size_t overhead = (cm ? SRTP_CM_TAG_LENGTH : SRTP_GCM_TAG_LENGTH) + SRTCP_INDEX_LENGTH;
  if (index > 0x7fffffff || length < SRTCP_HEADER_LENGTH + (protect ? 0 : overhead)) {
    napi_throw_range_error(env, NULL, "length or SRTCP index out of range");
    return NULL;
  }
  if (!check_region(env, total, offset, length, protect ? overhead : 0)) return NULL;
  uint8_t *p = buf + offset;
  long r;
  if (protect) {
    r = cm ? srtp_cm_protect_rtcp(c, p, length, ssrc, index) : srtp_gcm_protect_rtcp(c, p, length, ssrc, index);
  } else {
    r = cm ? srtp_cm_unprotect_rtcp(c, p, length, ssrc, index, encrypted) : srtp_gcm_unprotect_rtcp(c, p, length, ssrc, index, encrypted);
  }
  return crypto_result(env, r, !protect);
}

napi_value srtp_protect_rtcp(napi_env env, napi_callback_info info) { return rtcp_call(env, info, 1); }
napi_value srtp_unprotect_rtcp(napi_env env, napi_callback_info info) { return rtcp_call(env, info, 0); }
