# escape=`
# ESCAPE=`
FROM alpine
