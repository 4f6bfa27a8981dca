# escape=`
FROM alpine
`
RUN echo after a lone backtick
