# This is a plain comment
# escape=`
FROM alpine
RUN echo `
RUN echo \
    continued
