/* SRTP/SRTCP packet transforms over OpenSSL EVP contexts keyed once per session
 * direction. All functions work in place on p[0, length) and assume the caller
 * (srtp_napi.c) validated the bounds: protect may write `overhead` bytes past
 * `length`, unprotect never writes past `length`. */
#ifndef RELAIS_SRTP_H
#define RELAIS_SRTP_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "hmac_sha1.h"

/* DTLS use_srtp profile ids (RFC 5764 §4.1.2, RFC 7714 §14.2). */
#define SRTP_PROFILE_AES_CM_128_HMAC_SHA1_80 1
#define SRTP_PROFILE_AEAD_AES_128_GCM 7

#define SRTP_KEY_LENGTH 16
#define SRTP_CM_SALT_LENGTH 14
#define SRTP_GCM_SALT_LENGTH 12
#define SRTP_CM_TAG_LENGTH 10  /* HMAC-SHA1 truncated to 80 bits, RFC 3711 §5.2 */
#define SRTP_GCM_TAG_LENGTH 16 /* RFC 7714 §14.2 */
#define SRTCP_INDEX_LENGTH 4
#define SRTCP_HEADER_LENGTH 8 /* RTCP header up to the sender SSRC, RFC 3711 §3.4 */
#define SRTCP_E_FLAG 0x80000000u

typedef struct {
  int profile;
  /* AES-CM: one CTR context per stream kind (encryption and decryption are the same
   * operation). GCM: separate encrypt and decrypt contexts, the key set once. */
  EVP_CIPHER_CTX *rtp_enc, *rtp_dec, *rtcp_enc, *rtcp_dec;
  hmac_sha1_key rtp_auth, rtcp_auth;
  uint8_t rtp_salt[SRTP_CM_SALT_LENGTH];
  uint8_t rtcp_salt[SRTP_CM_SALT_LENGTH];
} srtp_ctx;

typedef struct {
  const uint8_t *rtp_key, *rtp_salt, *rtp_auth_key, *rtcp_key, *rtcp_salt, *rtcp_auth_key;
  size_t auth_key_length;
} srtp_keys;

/* Return 0 on success; on failure the caller frees the partly built context. */
int srtp_cm_init(srtp_ctx *c, const srtp_keys *k);
int srtp_gcm_init(srtp_ctx *c, const srtp_keys *k);

/* Return the new packet length, or -1 when authentication (or OpenSSL) fails;
 * a failed unprotect leaves the packet bytes unchanged. */
long srtp_cm_protect_rtp(srtp_ctx *c, uint8_t *p, size_t length, size_t header_length, uint32_t ssrc, uint32_t roc, uint16_t seq);
long srtp_cm_unprotect_rtp(srtp_ctx *c, uint8_t *p, size_t length, size_t header_length, uint32_t ssrc, uint32_t roc, uint16_t seq);
long srtp_cm_protect_rtcp(srtp_ctx *c, uint8_t *p, size_t length, uint32_t ssrc, uint32_t index);
long srtp_cm_unprotect_rtcp(srtp_ctx *c, uint8_t *p, size_t length, uint32_t ssrc, uint32_t index, int encrypted);

long srtp_gcm_protect_rtp(srtp_ctx *c, uint8_t *p, size_t length, size_t header_length, uint32_t ssrc, uint32_t roc, uint16_t seq);
long srtp_gcm_unprotect_rtp(srtp_ctx *c, uint8_t *p, size_t length, size_t header_length, uint32_t ssrc, uint32_t roc, uint16_t seq);
long srtp_gcm_protect_rtcp(srtp_ctx *c, uint8_t *p, size_t length, uint32_t ssrc, uint32_t index);
long srtp_gcm_unprotect_rtcp(srtp_ctx *c, uint8_t *p, size_t length, uint32_t ssrc, uint32_t index, int encrypted);

static inline void srtp_xor32(uint8_t *p, uint32_t v) {
  p[0] ^= (uint8_t)(v >> 24);
  p[1] ^= (uint8_t)(v >> 16);
  p[2] ^= (uint8_t)(v >> 8);
  p[3] ^= (uint8_t)v;
}

static inline void srtp_put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

#endif
