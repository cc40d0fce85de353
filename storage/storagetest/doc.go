// Package storagetest is the conformance suite for gindance token stores.
// Every backend that ships with gindance passes it against its real server,
// and a store of your own can run it too:
//
//	func TestMyStore(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) blueprint.Storage {
//			return mystore.New(..., storage.Config{User: storagetest.User})
//		})
//	}
//
// The suite checks what a user of the store relies on: get, set and delete,
// overwrite, isolation between users and between providers, keys that only
// look alike, concurrent writers, 16 KiB tokens, unicode, expiry
// round-tripping to the second, and, for stores that are a
// blueprint.RefreshLocker, that the refresh lock excludes, is per user and
// provider, gives up when its context ends, and is released by unlock.
//
// RunReplicas checks the promise of a store shared by several instances of
// an app: two Gin engines, each with its own blueprint and store value,
// serve 100 concurrent API calls of one user whose token has expired, and
// the fake provider sees exactly one refresh.
package storagetest
