FROM node:12.16 as builder
 
COPY buildfiles .
RUN my_build_script_that_uses_gcc_or_whatever.sh
 
# We will copy the resulting built files to the slim image, discarding the bloated build image.
FROM node:12.16-slim
 
# This is where we pull files from the file system of the builder container. We also adjust the ownership (which might or might not be necessary here). Everything else from the build container is discarded.
# Note that in this case, the node baseimage already has an existing 'node' user with UID 1000, so we can just use it
COPY --from=builder --chown=node:node /myartifact.bin
USER node
ENTRYPOINT ["/myartifact.bin"]
