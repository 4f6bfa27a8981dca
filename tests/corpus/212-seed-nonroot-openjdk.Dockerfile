FROM openjdk:8-jre
 
# Add non-root user 'java'
RUN groupadd java && useradd --no-create-home --gid java java
# Run all following stages, including the ENTRYPOINT as user 'java'
USER java
