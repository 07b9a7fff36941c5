/** Internal: the tailing reader role (follows the manifest log, folds committed batches). */
package io.isledb.db.tail;
