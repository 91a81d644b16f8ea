#ifndef RELAIS_RX_TIMESTAMP_H
#define RELAIS_RX_TIMESTAMP_H

#include <node_api.h>

napi_value rx_age_us(napi_env env, napi_callback_info info);

#endif
