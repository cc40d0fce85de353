// Package preset holds what every provider preset does the same way: client
// credentials from the environment and defaults for empty fields.
package preset

import "os"

// Credentials fills an empty client ID and secret from the environment
// variables <PREFIX>_CLIENT_ID and <PREFIX>_CLIENT_SECRET. It is called from
// a preset's New, never at init.
func Credentials(prefix string, id, secret *string) {
	if *id == "" {
		*id = os.Getenv(prefix + "_CLIENT_ID")
	}
	if *secret == "" {
		*secret = os.Getenv(prefix + "_CLIENT_SECRET")
	}
}

// Or returns v, or def when v is empty.
func Or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
