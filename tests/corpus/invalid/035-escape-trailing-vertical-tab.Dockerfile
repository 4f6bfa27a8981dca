# escape=`
FROM alpine
