/* Batched UDP send: many datagrams, each to its own destination, in one sendmmsg(2)
 * call on a non-blocking socket (Linux). Destinations are pre-encoded sockaddrs in
 * 32-byte slots, so a flush parses no address. */
#ifdef __linux__
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "napi_args.h"
#include "send_batch.h"

#define CHUNK 128 /* messages per sendmmsg call; well under UIO_MAXIOV (1024) */

static socklen_t slot_length(const uint8_t *slot) {
  sa_family_t family;
  memcpy(&family, slot, sizeof family);
  if (family == AF_INET) return sizeof(struct sockaddr_in);
  if (family == AF_INET6) return sizeof(struct sockaddr_in6);
  return 0;
}

/* sendBatch(fd, arena, offsets, lengths, addrs, count[, stats]): number of packets consumed
 * from the front, i.e. sent or dropped for a per-datagram error (counted in stats[0], errno in
 * stats[1]). Fewer than `count` means the socket buffer was full (EAGAIN/ENOBUFS): never blocks. */
napi_value send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  int32_t fd, *offsets, *lengths, *stats = NULL;
  uint32_t count;
  uint8_t *arena, *addrs;
  size_t arena_length, addrs_length, offsets_length, lengths_length, stats_length = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "expected (fd, arena, offsets, lengths, addrs, count[, stats])");
    return NULL;
  }
  if (!arg_i32(env, argv[0], &fd, "fd") || !arg_bytes(env, argv[1], &arena, &arena_length, "arena") ||
      !arg_int32_array(env, argv[2], &offsets, &offsets_length, "offsets") ||
      !arg_int32_array(env, argv[3], &lengths, &lengths_length, "lengths") || !arg_bytes(env, argv[4], &addrs, &addrs_length, "addrs") ||
      !arg_u32(env, argv[5], &count, "count")) {
    return NULL;
  }
  if (argc > 6 && !arg_int32_array(env, argv[6], &stats, &stats_length, "stats")) return NULL;
  if (stats != NULL && stats_length < 2) stats = NULL;
  if (count > offsets_length || count > lengths_length || (uint64_t)count * SOCKADDR_SLOT > addrs_length) {
    napi_throw_range_error(env, NULL, "count exceeds offsets, lengths or addrs");
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    if (offsets[i] < 0 || lengths[i] < 0 || (uint64_t)offsets[i] + (uint64_t)lengths[i] > arena_length ||
        slot_length(addrs + (size_t)i * SOCKADDR_SLOT) == 0) {
      napi_throw_range_error(env, NULL, "packet outside the arena or destination not encoded");
      return NULL;
    }
  }
  struct mmsghdr msgs[CHUNK];
  struct iovec iov[CHUNK];
  uint32_t done = 0;
  while (done < count) {
    uint32_t n = count - done < CHUNK ? count - done : CHUNK;
    for (uint32_t k = 0; k < n; k++) {
      uint32_t i = done + k;
      uint8_t *slot = addrs + (size_t)i * SOCKADDR_SLOT;
      iov[k].iov_base = arena + offsets[i];
      iov[k].iov_len = (size_t)lengths[i];
      memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
      msgs[k].msg_hdr.msg_name = slot;
      msgs[k].msg_hdr.msg_namelen = slot_length(slot);
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(fd, msgs, n, MSG_DONTWAIT);
    if (r > 0) {
      done += (uint32_t)r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) break;
    if (errno == EBADF || errno == ENOTSOCK || errno == EFAULT) {
      napi_throw_error(env, NULL, "sendmmsg: bad socket");
      return NULL;
    }
    /* The first datagram of the chunk failed on its own (EMSGSIZE, EHOSTUNREACH, ECONNREFUSED, ...): drop it, go on. */
    if (stats != NULL) {
      stats[0]++;
      stats[1] = errno;
    }
    done++;
  }
  return make_i64(env, done);
}

/* encodeSockaddr(address, port, v4mapped, out, offset): socklen written to out[offset, offset+32), or -1
 * when `address` is not a numeric IPv4/IPv6 address. v4mapped writes an IPv4 address as ::ffff:a.b.c.d
 * for an AF_INET6 socket. */
napi_value encode_sockaddr(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  size_t text_length;
  uint32_t port, offset;
  int v4mapped;
  uint8_t *out;
  size_t out_length;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5 || napi_get_value_string_utf8(env, argv[0], text, sizeof text, &text_length) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected (address: string, port, v4mapped, out, offset)");
    return NULL;
  }
  if (!arg_u32(env, argv[1], &port, "port") || !arg_bool(env, argv[2], &v4mapped, "v4mapped") ||
      !arg_bytes(env, argv[3], &out, &out_length, "out") || !arg_u32(env, argv[4], &offset, "offset") ||
      !check_region(env, out_length, offset, SOCKADDR_SLOT, 0)) {
    return NULL;
  }
  if (port > 0xffff) return make_i64(env, -1);
  uint8_t *slot = out + offset;
  memset(slot, 0, SOCKADDR_SLOT);
  struct in_addr v4;
  if (inet_pton(AF_INET, text, &v4) == 1) {
    if (!v4mapped) {
      struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = v4};
      memcpy(slot, &sa, sizeof sa);
      return make_i64(env, sizeof sa);
    }
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    sa.sin6_addr.s6_addr[10] = sa.sin6_addr.s6_addr[11] = 0xff;
    memcpy(&sa.sin6_addr.s6_addr[12], &v4, 4);
    memcpy(slot, &sa, sizeof sa);
    return make_i64(env, sizeof sa);
  }
  struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
  char *scope = strchr(text, '%');
  if (scope != NULL) {
    *scope++ = '\0';
    char *end;
    unsigned long id = strtoul(scope, &end, 10);
    sa.sin6_scope_id = (*scope != '\0' && *end == '\0') ? (uint32_t)id : if_nametoindex(scope);
    if (sa.sin6_scope_id == 0) return make_i64(env, -1);
  }
  if (inet_pton(AF_INET6, text, &sa.sin6_addr) != 1) return make_i64(env, -1);
  memcpy(slot, &sa, sizeof sa);
  return make_i64(env, sizeof sa);
}

/* socketPort(fd): the local port of a bound datagram socket, or -1 if fd is not one. Lets the
 * caller prove that the fd it found belongs to the dgram.Socket it holds. */
napi_value socket_port(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  int type = 0;
  socklen_t type_length = sizeof type;
  struct sockaddr_storage ss;
  socklen_t ss_length = sizeof ss;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !arg_i32(env, argv[0], &fd, "fd")) return NULL;
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_length) != 0 || type != SOCK_DGRAM ||
      getsockname(fd, (struct sockaddr *)&ss, &ss_length) != 0) {
    return make_i64(env, -1);
  }
  if (ss.ss_family == AF_INET) return make_i64(env, ntohs(((struct sockaddr_in *)&ss)->sin_port));
  if (ss.ss_family == AF_INET6) return make_i64(env, ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
  return make_i64(env, -1);
}

#endif /* __linux__ */
