FROM alpine
COPY --chown=1000:1000 --chmod=755 --link app /app
ADD --chown=app:app --chmod=0644 config.yml /etc/app/
COPY --link=true a b
