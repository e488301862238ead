//go:build !bindings

package main

// bindingsBuild is false in every ordinary build (see bindings.go).
const bindingsBuild = false
