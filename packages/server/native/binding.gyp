{
  "targets": [
    {
      "target_name": "relais_native",
      "sources": ["src/addon.c", "src/napi_args.c", "src/hmac_sha1.c", "src/srtp_cm.c", "src/srtp_gcm.c", "src/srtp_napi.c", "src/send_batch.c", "src/rx_timestamp.c"],
      "cflags": ["-O2", "-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "defines": ["NAPI_VERSION=8", "OPENSSL_SUPPRESS_DEPRECATED"]
    }
  ]
}
