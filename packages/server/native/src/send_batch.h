#ifndef RELAIS_SEND_BATCH_H
#define RELAIS_SEND_BATCH_H

#include <node_api.h>

/* Bytes per packed destination: room for a sockaddr_in6 (28) rounded to 32. */
#define SOCKADDR_SLOT 32

napi_value send_batch(napi_env env, napi_callback_info info);
napi_value encode_sockaddr(napi_env env, napi_callback_info info);
napi_value socket_port(napi_env env, napi_callback_info info);

#endif
