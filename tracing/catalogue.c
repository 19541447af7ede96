/* tracing/catalogue.c: the one definition of the event catalogue (tracing/events.h). */
#define HERMIT_TRACE_DEFINE_CATALOGUE
#include "events.h"
