// Package store keeps Minqing's state in Redis behind the interfaces that
// package flows declares. The whole key schema is in keys.go. Every change
// that touches several keys runs as one Lua script or MULTI transaction,
// and every key carries one hash tag per county so that the scripts stay
// valid on Redis Cluster.
package store
