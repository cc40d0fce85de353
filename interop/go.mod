module github.com/gindance/gindance/interop

go 1.26.8

replace github.com/gindance/gindance => ../
