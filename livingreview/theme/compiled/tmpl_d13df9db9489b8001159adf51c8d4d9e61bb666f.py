from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_search_terms.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_search = resolve('search')
    l_0_terms = missing
    try:
        t_1 = environment.filters['lower']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'lower' found.")
    pass
    l_0_terms = environment.getattr((undefined(name='search') if l_0_search is missing else l_0_search), 'terms')
    context.vars['terms'] = l_0_terms
    context.exported_vars.add('terms')
    yield '<div class="table-scroll">\n<table class="search-terms">\n  <caption>Search terms of the '
    yield escape(t_1(environment.getattr((undefined(name='search') if l_0_search is missing else l_0_search), 'label')))
    yield ', combined as in the last rows</caption>\n  <thead><tr>'
    for l_1_column in environment.getattr((undefined(name='terms') if l_0_terms is missing else l_0_terms), 'columns'):
        _loop_vars = {}
        pass
        yield '<th scope="col">'
        yield escape(l_1_column)
        yield '</th>'
    l_1_column = missing
    yield '</tr></thead>\n  <tbody>\n'
    for l_1_row in environment.getattr((undefined(name='terms') if l_0_terms is missing else l_0_terms), 'rows'):
        _loop_vars = {}
        pass
        yield '<tr>'
        for l_2_cell in l_1_row:
            _loop_vars = {}
            pass
            yield '<td><code>'
            yield escape(l_2_cell)
            yield '</code></td>'
        l_2_cell = missing
        yield '</tr>\n'
    l_1_row = missing
    yield '  </tbody>\n</table>\n</div>\n'

blocks = {}
debug_info = '1=19&4=23&5=25&7=33'