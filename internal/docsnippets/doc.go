// Package docsnippets holds the tests that keep the repository's Markdown
// honest: every Go block of README.md and docs/*.md compiles against the
// current API, and every relative link of the Markdown files points at a
// file, and a heading, that exist. It has no code of its own.
//
// A block that starts with a package clause is compiled as a file. Any other
// block is a fragment: its import lines and top-level declarations (func,
// type, var, const) are kept at package level, its statements become the
// body of a function, and the imports of the packages it names are added
// from a fixed table (knownImports). Names a fragment uses without declaring
// them (the router r, a blueprint gh, ...) are declared by an HTML comment on
// the line before the block, which Markdown renders as nothing:
//
//	<!-- go-snippet-vars: r *gin.Engine; gh *blueprint.Blueprint -->
package docsnippets
