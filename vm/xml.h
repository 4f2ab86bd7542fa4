/* xml.h - text inside XML, SVG and HTML markup. */
#ifndef VM_XML_H
#define VM_XML_H

#include <stdio.h>

/* Writes s with &, <, >, " and ' as entities, so that a name the script
 * chose (a strip called "<script>") is shown as text, in an element or in
 * an attribute value, and never becomes markup. */
void vm_xml_text(FILE *f, const char *s);

#endif
