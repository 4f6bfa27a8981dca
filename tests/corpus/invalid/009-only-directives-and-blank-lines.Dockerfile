# syntax=docker/dockerfile:1
# escape=`

   
