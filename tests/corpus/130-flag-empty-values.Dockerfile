FROM alpine
COPY --from= a b
COPY --from="" a b
COPY --chown= --chmod= a b
