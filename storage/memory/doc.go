// Package memory keeps tokens in the process's memory: for tests and for
// apps that run as a single process and can afford to lose tokens on
// restart. It is safe for concurrent use; its refresh lock is local to the
// process.
package memory
