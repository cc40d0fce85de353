package oidc

// MinJWKSRefetch lets tests shorten the unknown-kid refetch interval.
var MinJWKSRefetch = &minJWKSRefetch
