/* AES_CM_128_HMAC_SHA1_80: AES-128 counter mode (RFC 3711 §4.1.1) plus
 * HMAC-SHA1 truncated to 80 bits (RFC 3711 §4.2.1). */
#include <string.h>
#include <openssl/crypto.h>

#include "srtp.h"

static EVP_CIPHER_CTX *ctr_context(const uint8_t *key) {
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (ctx != NULL && EVP_EncryptInit_ex2(ctx, EVP_aes_128_ctr(), key, NULL, NULL) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

int srtp_cm_init(srtp_ctx *c, const srtp_keys *k) {
  c->profile = SRTP_PROFILE_AES_CM_128_HMAC_SHA1_80;
  c->rtp_enc = ctr_context(k->rtp_key);
  c->rtcp_enc = ctr_context(k->rtcp_key);
  memcpy(c->rtp_salt, k->rtp_salt, SRTP_CM_SALT_LENGTH);
  memcpy(c->rtcp_salt, k->rtcp_salt, SRTP_CM_SALT_LENGTH);
  hmac_sha1_init(&c->rtp_auth, k->rtp_auth_key, k->auth_key_length);
  hmac_sha1_init(&c->rtcp_auth, k->rtcp_auth_key, k->auth_key_length);
  return c->rtp_enc != NULL && c->rtcp_enc != NULL ? 0 : -1;
}

/* Keystream XOR over p[0, n) with IV = (k_s·2^16) XOR (SSRC·2^64) XOR (i·2^16):
 * resetting only the IV keeps the expanded key (RFC 3711 §4.1.1). */
static int ctr_xor(EVP_CIPHER_CTX *ctx, const uint8_t iv[16], uint8_t *p, size_t n) {
  int out_length;
  if (n == 0) return 1;
  if (EVP_EncryptInit_ex2(ctx, NULL, NULL, iv, NULL) != 1) return 0;
  return EVP_EncryptUpdate(ctx, p, &out_length, p, (int)n);
}

static void rtp_iv(const srtp_ctx *c, uint8_t iv[16], uint32_t ssrc, uint32_t roc, uint16_t seq) {
  memcpy(iv, c->rtp_salt, SRTP_CM_SALT_LENGTH);
  iv[14] = iv[15] = 0;
  srtp_xor32(iv + 4, ssrc);
  srtp_xor32(iv + 8, roc); /* packet index i = ROC·2^16 + SEQ occupies bytes 8..13 */
  iv[12] ^= (uint8_t)(seq >> 8);
  iv[13] ^= (uint8_t)seq;
}

/* SRTCP uses the same formula with the 31-bit SRTCP index as i (RFC 3711 §4.1.1, §3.4). */
static void rtcp_iv(const srtp_ctx *c, uint8_t iv[16], uint32_t ssrc, uint32_t index) {
  memcpy(iv, c->rtcp_salt, SRTP_CM_SALT_LENGTH);
  iv[14] = iv[15] = 0;
  srtp_xor32(iv + 4, ssrc);
  srtp_xor32(iv + 10, index);
}

long srtp_cm_protect_rtp(srtp_ctx *c, uint8_t *p, size_t length, size_t header_length, uint32_t ssrc, uint32_t roc, uint16_t seq) {
  uint8_t iv[16], roc_be[4], mac[HMAC_SHA1_LENGTH];
  rtp_iv(c, iv, ssrc, roc, seq);
  if (!ctr_xor(c->rtp_enc, iv, p + header_length, length - header_length)) return -1;
  /* Authenticated portion ‖ ROC (RFC 3711 §4.2). */
  srtp_put32(roc_be, roc);
  hmac_sha1(&c->rtp_auth, p, length, roc_be, 4, mac);
  memcpy(p + length, mac, SRTP_CM_TAG_LENGTH);
  return (long)(length + SRTP_CM_TAG_LENGTH);
}

long srtp_cm_unprotect_rtp(srtp_ctx *c, uint8_t *p, size_t length, size_t header_length, uint32_t ssrc, uint32_t roc, uint16_t seq) {
  uint8_t iv[16], roc_be[4], mac[HMAC_SHA1_LENGTH];
  size_t end = length - SRTP_CM_TAG_LENGTH;
  srtp_put32(roc_be, roc);
  hmac_sha1(&c->rtp_auth, p, end, roc_be, 4, mac);
  /* Verify before decrypting (RFC 3711 §3.3 step 5 precedes step 6). */
  if (CRYPTO_memcmp(mac, p + end, SRTP_CM_TAG_LENGTH) != 0) return -1;
  rtp_iv(c, iv, ssrc, roc, seq);
  if (!ctr_xor(c->rtp_enc, iv, p + header_length, end - header_length)) return -1;
  return (long)end;
}

long srtp_cm_protect_rtcp(srtp_ctx *c, uint8_t *p, size_t length, uint32_t ssrc, uint32_t index) {
  uint8_t iv[16], mac[HMAC_SHA1_LENGTH];
  rtcp_iv(c, iv, ssrc, index);
  if (!ctr_xor(c->rtcp_enc, iv, p + SRTCP_HEADER_LENGTH, length - SRTCP_HEADER_LENGTH)) return -1;
  /* RFC 3711 §3.4: header ‖ ciphertext ‖ E‖index ‖ tag; the tag covers the index word. */
  srtp_put32(p + length, SRTCP_E_FLAG | index);
  hmac_sha1(&c->rtcp_auth, p, length + SRTCP_INDEX_LENGTH, NULL, 0, mac);
  memcpy(p + length + SRTCP_INDEX_LENGTH, mac, SRTP_CM_TAG_LENGTH);
  return (long)(length + SRTCP_INDEX_LENGTH + SRTP_CM_TAG_LENGTH);
}

long srtp_cm_unprotect_rtcp(srtp_ctx *c, uint8_t *p, size_t length, uint32_t ssrc, uint32_t index, int encrypted) {
  uint8_t iv[16], mac[HMAC_SHA1_LENGTH];
  size_t tag_start = length - SRTP_CM_TAG_LENGTH;
  size_t end = tag_start - SRTCP_INDEX_LENGTH;
  hmac_sha1(&c->rtcp_auth, p, tag_start, NULL, 0, mac);
  if (CRYPTO_memcmp(mac, p + tag_start, SRTP_CM_TAG_LENGTH) != 0) return -1;
  if (encrypted) {
    rtcp_iv(c, iv, ssrc, index);
    if (!ctr_xor(c->rtcp_enc, iv, p + SRTCP_HEADER_LENGTH, end - SRTCP_HEADER_LENGTH)) return -1;
  }
  return (long)end;
}
