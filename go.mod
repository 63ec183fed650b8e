module github.com/pi-forge/pi-forge

go 1.26
