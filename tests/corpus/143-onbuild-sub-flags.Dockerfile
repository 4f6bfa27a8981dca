FROM alpine
ONBUILD COPY --from=build --chown=app:app /a /b
ONBUILD RUN --mount=type=cache,target=/root/.cache make
