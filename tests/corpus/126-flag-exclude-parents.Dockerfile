# syntax=docker/dockerfile:1.7-labs
FROM alpine
COPY --parents --exclude=*.md --exclude=**/test ./docs/ ./src/ /dst/
ADD --exclude=*.tmp src /src
