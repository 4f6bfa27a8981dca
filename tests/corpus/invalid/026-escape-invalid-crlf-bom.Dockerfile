# escape=/
FROM alpine
