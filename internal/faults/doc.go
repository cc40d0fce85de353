// Package faults holds only tests: they break the real services under a
// running app (Redis killed and restarted, PostgreSQL and MariaDB
// connections terminated, an app process killed while it holds the refresh
// lock, a provider that slows down, drops connections or answers 429 and
// 503) while a load of API calls and refreshes runs, and check what users
// lose. SECURITY.md's "Faults" table gives their figures.
package faults
