# escape=`
FROM alpine
COPY --chown=a\b x y
COPY --chown=c`d x y
