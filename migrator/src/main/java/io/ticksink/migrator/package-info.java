/** The one-shot migration of the legacy JSON tick archive into the daily databases. */
package io.ticksink.migrator;
