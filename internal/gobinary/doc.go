// Package gobinary tells whether a file is an executable built by the Go
// toolchain.
//
// The Go linker writes a .go.buildinfo section whose contents start with
// the magic "\xff Go buildinf:", even in binaries stripped with -s -w. On
// Linux, Is reads the ELF section headers by hand to find it: the standard
// debug/buildinfo package would do the same but links debug/elf,
// debug/dwarf, debug/macho, debug/pe, internal/zstd and more, whose
// package initialisation runs on every launch of nohupx. Elsewhere (Mach-O
// on macOS, ...) Is uses debug/buildinfo.
package gobinary
