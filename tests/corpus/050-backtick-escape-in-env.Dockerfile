# escape=`
FROM alpine
ENV A=b` c D=e
ENV PATH=C:\tools;C:\bin
