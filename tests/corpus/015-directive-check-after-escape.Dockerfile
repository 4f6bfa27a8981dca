# escape=`
# check=error=true
FROM alpine
RUN echo a `
  b
