FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /workspace
COPY pom.xml .
RUN --mount=type=cache,target=/root/.m2 mvn -B dependency:go-offline
COPY src ./src
RUN --mount=type=cache,target=/root/.m2 mvn -B package -DskipTests

FROM eclipse-temurin:21-jre-alpine
RUN addgroup -S java && adduser -S -G java -H java
COPY --from=build --chown=java:java /workspace/target/*.jar /app/app.jar
USER java
EXPOSE 8443
HEALTHCHECK --interval=30s --timeout=5s CMD wget -qO- http://localhost:8443/actuator/health || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
