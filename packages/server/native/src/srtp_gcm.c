/* AEAD_AES_128_GCM for SRTP and SRTCP (RFC 7714): the clear header is the AAD,
 * the 16-octet GCM tag follows the ciphertext. */
#include <string.h>

#include "srtp.h"

static EVP_CIPHER_CTX *gcm_context(const uint8_t *key, int encrypt) {
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (ctx != NULL && EVP_CipherInit_ex2(ctx, EVP_aes_128_gcm(), key, NULL, encrypt, NULL) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

int srtp_gcm_init(srtp_ctx *c, const srtp_keys *k) {
  c->profile = SRTP_PROFILE_AEAD_AES_128_GCM;
  c->rtp_enc = gcm_context(k->rtp_key, 1);
  c->rtp_dec = gcm_context(k->rtp_key, 0);
  c->rtcp_enc = gcm_context(k->rtcp_key, 1);
  c->rtcp_dec = gcm_context(k->rtcp_key, 0);
  memcpy(c->rtp_salt, k->rtp_salt, SRTP_GCM_SALT_LENGTH);
  memcpy(c->rtcp_salt, k->rtcp_salt, SRTP_GCM_SALT_LENGTH);
  return c->rtp_enc != NULL && c->rtp_dec != NULL && c->rtcp_enc != NULL && c->rtcp_dec != NULL ? 0 : -1;
}

/* RTP IV = (00 00 ‖ SSRC ‖ ROC ‖ SEQ) XOR salt (RFC 7714 §8.1). */
static void rtp_iv(const srtp_ctx *c, uint8_t iv[12], uint32_t ssrc, uint32_t roc, uint16_t seq) {
  memcpy(iv, c->rtp_salt, SRTP_GCM_SALT_LENGTH);
  srtp_xor32(iv + 2, ssrc);
  srtp_xor32(iv + 6, roc);
  iv[10] ^= (uint8_t)(seq >> 8);
  iv[11] ^= (uint8_t)seq;
}

/* RTCP IV = (00 00 ‖ SSRC ‖ 00 00 ‖ 0‖index) XOR salt (RFC 7714 §9.1). */
static void rtcp_iv(const srtp_ctx *c, uint8_t iv[12], uint32_t ssrc, uint32_t index) {
  memcpy(iv, c->rtcp_salt, SRTP_GCM_SALT_LENGTH);
  srtp_xor32(iv + 2, ssrc);
  srtp_xor32(iv + 8, index);
}

/* One AEAD pass in place: AAD = a ‖ b, text p[0, n); the tag is written to / checked against `tag`. */
static int gcm_run(EVP_CIPHER_CTX *ctx, const uint8_t iv[12], const uint8_t *a, size_t a_length, const uint8_t *b, size_t b_length,
                   uint8_t *p, size_t n, uint8_t *tag, int encrypt) {
  int out_length;
  if (EVP_CipherInit_ex2(ctx, NULL, NULL, iv, encrypt, NULL) != 1) return 0;
  if (a_length > 0 && EVP_CipherUpdate(ctx, NULL, &out_length, a, (int)a_length) != 1) return 0;
  if (b_length > 0 && EVP_CipherUpdate(ctx, NULL, &out_length, b, (int)b_length) != 1) return 0;
  if (n > 0 && EVP_CipherUpdate(ctx, p, &out_length, p, (int)n) != 1) return 0;
  if (!encrypt && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, SRTP_GCM_TAG_LENGTH, tag) != 1) return 0;
  if (EVP_CipherFinal_ex(ctx, p + n, &out_length) != 1) return 0;
  return encrypt ? EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, SRTP_GCM_TAG_LENGTH, tag) == 1 : 1;
}

/* After a failed check the text was already decrypted in place; GCM's keystream is
 * an involution, so running it again with the same IV restores the ciphertext. */
static void gcm_restore(EVP_CIPHER_CTX *ctx, const uint8_t iv[12], uint8_t *p, size_t n) {
  int out_length;
  if (n == 0 || EVP_CipherInit_ex2(ctx, NULL, NULL, iv, 0, NULL) != 1) return;
  EVP_CipherUpdate(ctx, p, &out_length, p, (int)n);
}

long srtp_gcm_protect_rtp(srtp_ctx *c, uint8_t *p, size_t length, size_t header_length, uint32_t ssrc, uint32_t roc, uint16_t seq) {
  uint8_t iv[12];
  rtp_iv(c, iv, ssrc, roc, seq);
  /* RFC 7714 §8.2: the AAD is the whole clear header including CSRCs and extension. */
  if (!gcm_run(c->rtp_enc, iv, p, header_length, NULL, 0, p + header_length, length - header_length, p + length, 1)) return -1;
  return (long)(length + SRTP_GCM_TAG_LENGTH);
}

long srtp_gcm_unprotect_rtp(srtp_ctx *c, uint8_t *p, size_t length, size_t header_length, uint32_t ssrc, uint32_t roc, uint16_t seq) {
  uint8_t iv[12];
  size_t end = length - SRTP_GCM_TAG_LENGTH;
  rtp_iv(c, iv, ssrc, roc, seq);
  if (!gcm_run(c->rtp_dec, iv, p, header_length, NULL, 0, p + header_length, end - header_length, p + end, 0)) {
    gcm_restore(c->rtp_dec, iv, p + header_length, end - header_length);
    return -1;
  }
  return (long)end;
}

long srtp_gcm_protect_rtcp(srtp_ctx *c, uint8_t *p, size_t length, uint32_t ssrc, uint32_t index) {
  uint8_t iv[12], word[SRTCP_INDEX_LENGTH];
  rtcp_iv(c, iv, ssrc, index);
  /* RFC 7714 §9.2 / §17: header(8) ‖ ciphertext ‖ tag(16) ‖ E‖index(4); AAD = header ‖ E‖index. */
  srtp_put32(word, SRTCP_E_FLAG | index);
  if (!gcm_run(c->rtcp_enc, iv, p, SRTCP_HEADER_LENGTH, word, SRTCP_INDEX_LENGTH, p + SRTCP_HEADER_LENGTH, length - SRTCP_HEADER_LENGTH,
               p + length, 1)) {
    return -1;
  }
  memcpy(p + length + SRTP_GCM_TAG_LENGTH, word, SRTCP_INDEX_LENGTH);
  return (long)(length + SRTP_GCM_TAG_LENGTH + SRTCP_INDEX_LENGTH);
}

long srtp_gcm_unprotect_rtcp(srtp_ctx *c, uint8_t *p, size_t length, uint32_t ssrc, uint32_t index, int encrypted) {
  uint8_t iv[12];
  size_t index_start = length - SRTCP_INDEX_LENGTH;
  size_t tag_start = index_start - SRTP_GCM_TAG_LENGTH;
  rtcp_iv(c, iv, ssrc, index);
  if (encrypted) {
    if (!gcm_run(c->rtcp_dec, iv, p, SRTCP_HEADER_LENGTH, p + index_start, SRTCP_INDEX_LENGTH, p + SRTCP_HEADER_LENGTH,
                 tag_start - SRTCP_HEADER_LENGTH, p + tag_start, 0)) {
      gcm_restore(c->rtcp_dec, iv, p + SRTCP_HEADER_LENGTH, tag_start - SRTCP_HEADER_LENGTH);
      return -1;
    }
  } else if (!gcm_run(c->rtcp_dec, iv, p, tag_start, p + index_start, SRTCP_INDEX_LENGTH, NULL, 0, p + tag_start, 0)) {
    /* RFC 7714 §9.3: E = 0 authenticates the whole RTCP packet ‖ E‖index, encrypts nothing. */
    return -1;
  }
  return (long)tag_start;
}
