/*
 * net/netdev.h: the one interface every network driver fills (virtio-net, RTL8139) and the stack
 * glue (net/netif.c) uses. Drivers know nothing of lwIP: they hand received frames to
 * netdev_receive() and lend transmit buffers. Both directions pass the capture ring there, so
 * what is captured is exactly what crossed the driver boundary.
 */
#ifndef NET_NETDEV_H
#define NET_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETDEV_FRAME_MAX 1514 /* Ethernet header + 1500, no FCS */
#define NETDEV_MAX 4

struct netdev;

struct netdev_ops {
	/* A free transmit buffer of at least NETDEV_FRAME_MAX bytes; waits for one while all are in
	 * flight, NULL after a long wait (the device is stuck). Task context. */
	void *(*tx_buffer)(struct netdev *dev);
	/* Sends the first len bytes of a buffer from tx_buffer; the buffer goes back to the driver. */
	void (*tx_submit)(struct netdev *dev, void *buf, size_t len);
};

struct netdev {
	const char *name;     /* "virtio-net", "rtl8139" */
	uint8_t mac[6];
	unsigned index;       /* 0, 1, ...: the capture's interface number */
	const struct netdev_ops *ops;
	void *priv;           /* the driver's */
	void *stack;          /* the glue's (struct netif) */
	uint64_t rx_frames, tx_frames, rx_dropped;
};

/* A driver's probe found a device and set it up: the stack takes it. 0, or -1 when full. */
int netdev_register(struct netdev *dev);
/* A received frame (len bytes, no FCS), from the driver's task. The data is copied. */
void netdev_receive(struct netdev *dev, const void *frame, size_t len);

/* The drivers' probes: the number of devices each found and registered. */
int virtio_net_probe(void);
int rtl8139_probe(void);

/* The capture ring (net/capture.c). */
struct hermit_capture_record;
struct hermit_capture_iface;
struct netif;
/* without_context: HERMIT_CONFIG_CAPTURE_BARE, frames only (no task, CPU or socket). */
void capture_init(uint32_t kib, bool without_context);
bool capture_enabled(void);
bool capture_bare(void);
/* Copies the frame with the record rec describes (capture_describe), setting its cap_len and its
 * time_ns, read under the ring's lock so records lie in time order. Returns that reading
 * (clock_tsc(), also with no ring or no room), for the frame's trace event. */
uint64_t capture_frame(struct hermit_capture_record *rec, const void *frame);
/* Interface index's entry in the ring's table (NULL: no ring, or too many interfaces), filled
 * before capture_iface_ready publishes it. */
struct hermit_capture_iface *capture_iface(unsigned index);
void capture_iface_ready(unsigned index);

/* What the kernel knows of a frame and of the interfaces (net/capture_context.c). */
/* rec for a frame (capture_frame stamps it): the task and CPU, and the socket when the frame is
 * TCP or UDP over IP and the kernel knows it (for a received frame the task is then the one that
 * last used that socket). */
void capture_describe(struct hermit_capture_record *rec, unsigned iface, unsigned direction,
		      const void *frame, size_t len);
/* The interface's names and addresses, once it is set up (before its first frame). */
void capture_add_iface(const struct netdev *dev, const struct netif *nif);
/* The socket layer's news: lwIP socket s is descriptor fd (-1: closed); the calling task uses it. */
void capture_socket_fd(int s, int fd);
void capture_socket_used(int s);
/* After a bind or listen: frames to the socket's local address are its own. */
void capture_socket_bound(int s);

#endif
