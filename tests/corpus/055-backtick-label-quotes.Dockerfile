# escape=`
FROM alpine
LABEL description="say `"hi`"" path="C:\x"
