FROM node:12.16 AS builder
COPY buildfiles .
RUN my_build_script_that_uses_gcc_or_whatever.sh

FROM node:12.16-slim
COPY --from=builder --chown=node:node /myartifact.bin /myartifact.bin
USER node
EXPOSE 8443
ENTRYPOINT ["/myartifact.bin"]
