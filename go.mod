module github.com/ask2live/ask2live

go 1.26.8
