FROM alpine
MAINTAINER John Doe <john@example.com>
MAINTAINER   "quoted name"   
