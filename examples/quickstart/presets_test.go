package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"slices"
	"strings"
	"testing"
)

// Every preset package under providers/ is offered by the quickstart, so
// that one generic app shows them all (providers/oidc is the generic
// relying party, not a preset).
func TestQuickstartOffersEveryPreset(t *testing.T) {
	entries, err := os.ReadDir("../../providers")
	if err != nil {
		t.Fatal(err)
	}
	var offered []string
	for _, p := range presets() {
		offered = append(offered, strings.ToLower(p.env))
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "internal" || e.Name() == "oidc" {
			continue
		}
		if !slices.Contains(offered, e.Name()) {
			t.Errorf("providers/%s is not in the quickstart's presets()", e.Name())
		}
	}
}

// With only the variables a preset's entry names, the preset is offered
// and its configuration is valid; without them it is not offered.
func TestEachPresetValidatesFromItsVariables(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p8 := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	for _, p := range presets() {
		t.Run(p.title, func(t *testing.T) {
			needs := p.needs
			if needs == nil {
				needs = []string{p.env + "_CLIENT_ID", p.env + "_CLIENT_SECRET"}
			}
			for _, v := range needs {
				t.Setenv(v, "")
			}
			if p.configured() {
				t.Fatal("offered without its variables")
			}
			for _, v := range needs {
				val := "test-" + strings.ToLower(v)
				if strings.HasSuffix(v, "_PRIVATE_KEY") {
					val = p8
				}
				if strings.HasSuffix(v, "_URL") || strings.HasSuffix(v, "_ISSUER") {
					val = "https://idp.example.test"
				}
				t.Setenv(v, val)
			}
			if !p.configured() {
				t.Fatal("not offered with its variables set")
			}
			if err := p.new().Validate(); err != nil {
				t.Fatalf("Validate with %v set: %v", needs, err)
			}
		})
	}
}
