# escape=` 
FROM alpine
