from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_gap_map.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_figure = resolve('figure')
    l_0_view = missing
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['lower']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'lower' found.")
    try:
        t_3 = environment.filters['script_json']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'script_json' found.")
    pass
    l_0_view = environment.getattr(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'extra'), 'map')
    context.vars['view'] = l_0_view
    context.exported_vars.add('view')
    yield '<div class="gap-map-figure" data-gap-map>\n'
    if environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'segment_fields'):
        pass
        yield '  <div class="gap-map-tools" data-gap-map-tools hidden>\n    <label for="'
        yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key'))
        yield '-segment">Narrow the map to the studies with</label>\n    <select id="'
        yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key'))
        yield '-segment" data-gap-map-segment>\n      <option value="">any value (all '
        yield escape(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'coded'))
        yield ' studies)</option>\n'
        for l_1_field in environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'segment_fields'):
            _loop_vars = {}
            pass
            yield '      <optgroup label="'
            yield escape(environment.getattr(l_1_field, 'label'))
            yield '">\n'
            for l_2_segment in environment.getattr(l_1_field, 'segments'):
                _loop_vars = {}
                pass
                yield '        <option value="'
                yield escape(environment.getattr(l_2_segment, 'query'))
                yield '" data-label="'
                yield escape(environment.getattr(l_1_field, 'label'))
                yield ': '
                yield escape(environment.getattr(l_2_segment, 'label'))
                yield '">'
                yield escape(environment.getattr(l_2_segment, 'label'))
                yield ' ('
                yield escape(environment.getattr(l_2_segment, 'count'))
                yield ')</option>\n'
            l_2_segment = missing
            yield '      </optgroup>\n'
        l_1_field = missing
        yield '    </select>\n    <p class="gap-map-status muted" aria-live="polite" data-gap-map-status></p>\n  </div>\n'
    yield '  <div class="table-scroll">\n  <table class="data gap-map">\n    <caption class="visually-hidden">'
    yield escape(environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'title'))
    yield ': studies per '
    yield escape(t_2(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'rows_label')))
    yield ' (rows) and '
    yield escape(t_2(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'columns_label')))
    yield ' (columns); each number links to its studies in the study table</caption>\n    <thead><tr><th scope="col">'
    yield escape(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'rows_label'))
    yield '</th>'
    for l_1_column in environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'columns'):
        _loop_vars = {}
        pass
        yield '<th scope="col">'
        yield escape(l_1_column)
        yield '</th>'
    l_1_column = missing
    yield '</tr></thead>\n    <tbody>\n'
    for (l_1_row_label, l_1_cells) in environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'rows'):
        _loop_vars = {}
        pass
        yield '    <tr><th scope="row">'
        yield escape(l_1_row_label)
        yield '</th>'
        for l_2_cell in l_1_cells:
            l_2_url = resolve('url')
            _loop_vars = {}
            pass
            if environment.getattr(l_2_cell, 'ruled_out'):
                pass
                yield '<td class="cell ruled-out" data-label="'
                yield escape(environment.getattr(l_2_cell, 'column'))
                yield '"><span class="mark" aria-hidden="true">×</span><span class="visually-hidden">'
                yield escape(environment.getattr(l_2_cell, 'row'))
                yield ', '
                yield escape(environment.getattr(l_2_cell, 'column'))
                yield ': not possible by definition ('
                yield escape(environment.getattr(l_2_cell, 'ruled_out'))
                yield ')</span></td>'
            else:
                pass
                yield '<td class="cell'
                if (not environment.getattr(l_2_cell, 'count')):
                    pass
                    yield ' gap'
                yield '" data-label="'
                yield escape(environment.getattr(l_2_cell, 'column'))
                yield '" data-cell-index="'
                yield escape(environment.getattr(l_2_cell, 'index'))
                yield '" data-count="'
                yield escape(environment.getattr(l_2_cell, 'count'))
                yield '" data-where="'
                yield escape(environment.getattr(l_2_cell, 'row'))
                yield ', '
                yield escape(environment.getattr(l_2_cell, 'column'))
                yield '">'
                if environment.getattr(l_2_cell, 'count'):
                    pass
                    yield '<a '
                    if environment.getattr(l_2_cell, 'query'):
                        pass
                        yield 'href="'
                        yield escape(context.call((undefined(name='url') if l_2_url is missing else l_2_url), 'studies/index.html', _loop_vars=_loop_vars))
                        yield '?'
                        yield escape(environment.getattr(l_2_cell, 'query'))
                        yield '" data-href="'
                        yield escape(context.call((undefined(name='url') if l_2_url is missing else l_2_url), 'studies/index.html', _loop_vars=_loop_vars))
                        yield '?'
                        yield escape(environment.getattr(l_2_cell, 'query'))
                        yield '"'
                    else:
                        pass
                        yield 'href="'
                        yield escape(context.call((undefined(name='url') if l_2_url is missing else l_2_url), (('figures/' + environment.getattr((undefined(name='figure') if l_0_figure is missing else l_0_figure), 'key')) + '.html'), _loop_vars=_loop_vars))
                        yield '#'
                        yield escape(environment.getattr(l_2_cell, 'anchor'))
                        yield '"'
                    yield ' aria-label="'
                    yield escape(environment.getattr(l_2_cell, 'name'))
                    yield '"><span class="bubble" style="--bubble: '
                    yield escape(environment.getattr(l_2_cell, 'bubble'))
                    yield '"></span><span class="n" data-n>'
                    yield escape(environment.getattr(l_2_cell, 'count'))
                    yield '</span></a>'
                yield '<span class="zero" data-zero'
                if environment.getattr(l_2_cell, 'count'):
                    pass
                    yield ' hidden'
                yield '>0<span class="visually-hidden"> studies: '
                yield escape(environment.getattr(l_2_cell, 'row'))
                yield ', '
                yield escape(environment.getattr(l_2_cell, 'column'))
                if (not environment.getattr(l_2_cell, 'count')):
                    pass
                    yield ' (a gap in the evidence)'
                yield '</span></span></td>'
        l_2_cell = l_2_url = missing
        yield '</tr>\n'
    l_1_row_label = l_1_cells = missing
    yield '    </tbody>\n  </table>\n  </div>\n  <ul class="gap-map-legend" aria-label="Legend">\n'
    for (l_1_count, l_1_share) in environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'legend'):
        _loop_vars = {}
        pass
        yield '    <li><span class="bubble" style="--bubble: '
        yield escape(l_1_share)
        yield '" aria-hidden="true"></span> '
        yield escape(l_1_count)
        yield ' '
        yield escape(('study' if (l_1_count == 1) else 'studies'))
        yield '</li>\n'
    l_1_count = l_1_share = missing
    yield '    <li><span class="swatch gap" aria-hidden="true">0</span> no study yet: a gap in the evidence</li>\n'
    if environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'ruled_out'):
        pass
        yield '    <li><span class="swatch ruled-out" aria-hidden="true">×</span> not possible by definition</li>\n'
    yield '  </ul>\n'
    if environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'ruled_out'):
        pass
        yield '  <ul class="gap-map-ruled-out">\n'
        for (l_1_reason, l_1_where) in environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'ruled_out'):
            _loop_vars = {}
            pass
            yield '    <li>Not possible by definition ('
            yield escape(l_1_reason)
            yield '): '
            yield escape(t_1(context.eval_ctx, l_1_where, '; '))
            yield '.</li>\n'
        l_1_reason = l_1_where = missing
        yield '  </ul>\n'
    yield '  <script type="application/json" data-gap-map-data>'
    yield escape(t_3(environment.getattr((undefined(name='view') if l_0_view is missing else l_0_view), 'data')))
    yield '</script>\n</div>\n'

blocks = {}
debug_info = '3=31&5=35&7=38&8=40&9=42&10=44&11=48&12=50&13=54&23=69&24=75&26=85&27=89&33=167&34=171&37=179&41=183&43=186&44=190&48=197'