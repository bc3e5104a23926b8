module github.com/ask2live/ask2live

go 1.26.8

require (
	golang.org/x/crypto v0.59.0
	golang.org/x/image v0.47.0
)

require golang.org/x/sys v0.50.0 // indirect
