// Command ask2live runs the live Q&A server.
package main

func main() {}
