#include "hmac_sha1.h"

#include <string.h>
#include <openssl/crypto.h>

#define SHA1_BLOCK 64

void hmac_sha1_init(hmac_sha1_key *k, const uint8_t *key, size_t key_length) {
  uint8_t block[SHA1_BLOCK];
  uint8_t pad[SHA1_BLOCK];
  memset(block, 0, sizeof block);
  if (key_length > SHA1_BLOCK) {
    SHA1(key, key_length, block); /* RFC 2104 §2: long keys are hashed first */
  } else if (key_length > 0) {
    memcpy(block, key, key_length);
  }
  for (int i = 0; i < SHA1_BLOCK; i++) pad[i] = block[i] ^ 0x36;
  SHA1_Init(&k->inner);
  SHA1_Update(&k->inner, pad, SHA1_BLOCK);
  for (int i = 0; i < SHA1_BLOCK; i++) pad[i] = block[i] ^ 0x5c;
  SHA1_Init(&k->outer);
  SHA1_Update(&k->outer, pad, SHA1_BLOCK);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

void hmac_sha1(const hmac_sha1_key *k, const uint8_t *a, size_t a_length, const uint8_t *b, size_t b_length,
               uint8_t out[HMAC_SHA1_LENGTH]) {
  SHA_CTX c = k->inner;
  uint8_t inner[HMAC_SHA1_LENGTH];
  SHA1_Update(&c, a, a_length);
  if (b_length > 0) SHA1_Update(&c, b, b_length);
  SHA1_Final(inner, &c);
  c = k->outer;
  SHA1_Update(&c, inner, HMAC_SHA1_LENGTH);
  SHA1_Final(out, &c);
  OPENSSL_cleanse(&c, sizeof c);
}
