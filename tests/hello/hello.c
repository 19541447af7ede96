/* hello: the first app. Prints a greeting, its arguments and its environment. */
#include <stdio.h>

int main(int argc, char **argv, char **envp)
{
	printf("Hello World!\n");
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	for (char **e = envp; *e; e++)
		printf("env: %s\n", *e);
	return 0;
}
