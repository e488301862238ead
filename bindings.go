//go:build bindings

package main

// bindingsBuild is true in the build `wails generate module` runs to write
// the window's TypeScript bindings (frontend/wailsjs): main then only binds
// App's methods and opens no data folder and no window.
const bindingsBuild = true
