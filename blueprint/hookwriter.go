package blueprint

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"
)

// heldWriter holds back what OnLogin hooks write (status and body) until the
// token is stored, so that the session's Set-Cookie still makes it into the
// response when a hook answers the request itself, and so that a hook's
// answer is dropped when storing fails.
type heldWriter struct {
	gin.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *heldWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *heldWriter) WriteHeaderNow() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
}
func (w *heldWriter) Write(p []byte) (int, error) {
	w.WriteHeaderNow()
	return w.body.Write(p)
}
func (w *heldWriter) WriteString(s string) (int, error) {
	w.WriteHeaderNow()
	return w.body.WriteString(s)
}
func (w *heldWriter) Written() bool { return w.status != 0 }
func (w *heldWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
func (w *heldWriter) Size() int {
	if w.status == 0 {
		return -1
	}
	return w.body.Len()
}

// Flush is a no-op while held: nothing reaches the client before release.
func (w *heldWriter) Flush() {}

// release writes what was held to the real writer.
func (w *heldWriter) release() {
	if w.status == 0 {
		return
	}
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(w.body.Bytes())
}
