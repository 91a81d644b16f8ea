/* HMAC-SHA1 with the key's inner and outer pad states absorbed once (RFC 2104 §4),
 * so each message costs two SHA1 compressions fewer and no allocation. */
#ifndef RELAIS_HMAC_SHA1_H
#define RELAIS_HMAC_SHA1_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/sha.h>

#define HMAC_SHA1_LENGTH 20

typedef struct {
  SHA_CTX inner; /* SHA1 state after (K XOR ipad) */
  SHA_CTX outer; /* SHA1 state after (K XOR opad) */
} hmac_sha1_key;

void hmac_sha1_init(hmac_sha1_key *k, const uint8_t *key, size_t key_length);

/* MAC over a ‖ b (b may be empty). */
void hmac_sha1(const hmac_sha1_key *k, const uint8_t *a, size_t a_length, const uint8_t *b, size_t b_length,
               uint8_t out[HMAC_SHA1_LENGTH]);

#endif
